package dev.deepretrieval.cli;

import picocli.CommandLine.Command;

/** Groups the benchmarks; each subcommand measures one path and prints figures for BENCHMARKS.md. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks. Figures go to BENCHMARKS.md with the command that produced them.",
        subcommands = {BenchRetrievalCommand.class, BenchGenerateCommand.class, BenchUpdateCommand.class,
            BenchDenseCommand.class, BenchTrainCommand.class, BenchServeCommand.class,
            BenchSearchCommand.class, BenchClusterCommand.class},
        footer = ExitCode.HELP_FOOTER)
final class BenchCommand {}
