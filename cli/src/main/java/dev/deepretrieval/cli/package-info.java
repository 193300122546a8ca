/**
 * The {@code deepretrieval} command line: commands only. Each parses its flags into the typed request of the module
 * that does the work ({@code training-runs} for {@code train}, {@code pretrain} and {@code cold-start}, {@code tasks}
 * for {@code eval}, {@code http} for {@code serve}, {@code cluster} and {@code http} for {@code node}), prints what it hears (console progress, tables, one JSON line) and
 * maps the outcome to an exit status. The benchmarks ({@code bench}) measure the other modules' parts.
 *
 * <p>The only module that sees all the others; nothing depends on it.
 */
package dev.deepretrieval.cli;
