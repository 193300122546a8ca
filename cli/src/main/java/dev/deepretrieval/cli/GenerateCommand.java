package dev.deepretrieval.cli;

import dev.deepretrieval.tasks.*;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.PolicyLoader;
import dev.deepretrieval.policy.generation.GeneratedSequence;
import dev.deepretrieval.policy.generation.SamplingSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Generates a continuation of one prompt and prints only the generated text. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generates text with a local model (Hugging Face folder or llama2.c .bin) and prints only the"
                + " generated text on stdout. An empty prompt starts from BOS.",
        footer = {"%nExample: ./deepretrieval generate --model ../shared/models/stories260K/stories260K.bin --greedy"
                + " --max-tokens 60", ExitCode.HELP_FOOTER})
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--model", required = true, paramLabel = "FOLDER|FILE.bin",
            description = "A Hugging Face model folder or a llama2.c checkpoint.")
    Path model;

    @Option(names = "--tokenizer", paramLabel = "FILE",
            description = "tokenizer.json(.gz) or llama2.c tok*.bin (default: found next to the model).")
    Path tokenizer;

    @Option(names = "--prompt", defaultValue = "", paramLabel = "TEXT", description = "The prompt (default: empty).")
    String prompt;

    @Option(names = "--greedy", description = "Always take the most likely token.")
    boolean greedy;

    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature (default from config).")
    Double temperature;

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling mass (default from config).")
    Double topP;

    @Option(names = "--top-k", paramLabel = "K", description = "Keep the K most likely tokens (default from config).")
    Integer topK;

    @Option(names = "--max-tokens", paramLabel = "N", description = "Most tokens to generate (default from config).")
    Integer maxTokens;

    @Option(names = "--seed", paramLabel = "S", description = "Sampler seed (default from config).")
    Long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop once the output contains TEXT (repeatable).")
    List<String> stops = List.of();

    @Override
    public Integer call() {
        Settings settings = new Settings(configOptions.load());
        String prefix = "deepretrieval.generate.";
        SamplingSettings sampling;
        try {
            sampling = new SamplingSettings(greedy,
                    temperature != null ? temperature : settings.number(prefix + "temperature"),
                    topP != null ? topP : settings.number(prefix + "top-p"),
                    topK != null ? topK : settings.raw().getInt(prefix + "top-k"),
                    maxTokens != null ? maxTokens : settings.positiveInt(prefix + "max-tokens"),
                    java.util.Set.of(), stops,
                    seed != null ? seed : settings.raw().getLong(prefix + "seed"));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try (Policy policy = PolicyLoader.load(model, Optional.ofNullable(tokenizer),
                PolicyLoader.device(settings.text("deepretrieval.policy.device")))) {
            sampling = sampling.withStopTokens(policy.stopTokenIds());
            int[] promptTokens = policy.promptTokens(prompt);
            GeneratedSequence out = policy.generator().generate(List.of(promptTokens), sampling).get(0);
            var stdout = spec.commandLine().getOut();
            stdout.println(policy.tokenizer().decodeContinuation(promptTokens, out.tokens()));
            stdout.flush();
        }
        return ExitCode.OK;
    }
}
