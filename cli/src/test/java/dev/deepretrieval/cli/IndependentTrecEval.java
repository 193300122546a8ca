package dev.deepretrieval.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A trec_eval-style evaluator written for the tests, sharing no code with the product: it reads a run file and a
 * BEIR qrels TSV, orders each query's lines as trec_eval does (score descending, ties by document id descending,
 * the file's rank column ignored) and averages nDCG@k and recall@k over the judged queries as {@code trec_eval -c}.
 */
final class IndependentTrecEval {

    private record Line(String docId, double score) {}

    private final Map<String, List<String>> ranked = new HashMap<>();
    private final Map<String, Map<String, Integer>> qrels = new HashMap<>();

    IndependentTrecEval(Path runFile, Path qrelsTsv) throws IOException {
        var lines = new HashMap<String, List<Line>>();
        for (String line : Files.readAllLines(runFile)) {
            String[] f = line.trim().split("\\s+");
            lines.computeIfAbsent(f[0], q -> new ArrayList<>()).add(new Line(f[2], Double.parseDouble(f[4])));
        }
        lines.forEach((qid, list) -> {
            list.sort((a, b) -> a.score() != b.score() ? Double.compare(b.score(), a.score())
                    : b.docId().compareTo(a.docId()));
            ranked.put(qid, list.stream().map(Line::docId).toList());
        });
        List<String> rows = Files.readAllLines(qrelsTsv);
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split("\t");
            qrels.computeIfAbsent(f[0], q -> new HashMap<>()).put(f[1], Integer.parseInt(f[2].trim()));
        }
    }

    double ndcg(int k) {
        return average(qid -> {
            Map<String, Integer> judged = qrels.get(qid);
            List<String> docs = ranked.getOrDefault(qid, List.of());
            double dcg = 0;
            for (int i = 0; i < Math.min(k, docs.size()); i++) {
                dcg += judged.getOrDefault(docs.get(i), 0) / (Math.log(i + 2) / Math.log(2));
            }
            List<Integer> gains = judged.values().stream().filter(g -> g > 0).sorted((a, b) -> b - a).toList();
            double ideal = 0;
            for (int i = 0; i < Math.min(k, gains.size()); i++) {
                ideal += gains.get(i) / (Math.log(i + 2) / Math.log(2));
            }
            return dcg / ideal;
        });
    }

    double recall(int k) {
        return average(qid -> {
            Map<String, Integer> judged = qrels.get(qid);
            List<String> docs = ranked.getOrDefault(qid, List.of());
            long relevant = judged.values().stream().filter(g -> g > 0).count();
            long found = docs.subList(0, Math.min(k, docs.size())).stream()
                    .filter(d -> judged.getOrDefault(d, 0) > 0).count();
            return (double) found / relevant;
        });
    }

    private double average(java.util.function.ToDoubleFunction<String> perQuery) {
        double sum = 0;
        int n = 0;
        for (var entry : qrels.entrySet()) {
            if (entry.getValue().values().stream().anyMatch(g -> g > 0)) {
                sum += perQuery.applyAsDouble(entry.getKey());
                n++;
            }
        }
        return sum / n;
    }
}
