/**
 * The {@code deepretrieval} command line: loads {@code application.conf} with its overrides, maps it onto the typed
 * settings of the other modules and runs the {@code train}, {@code eval}, {@code serve} and {@code bench} commands. The
 * task families it trains and evaluates come from {@code tasks}.
 *
 * <p>The only module that sees all the others; nothing depends on it.
 */
package dev.deepretrieval.cli;
