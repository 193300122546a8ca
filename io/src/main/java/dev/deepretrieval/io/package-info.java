/**
 * File and JSON mechanics shared by every module: {@link dev.deepretrieval.io.AtomicFiles} (a file or folder appears
 * whole or not at all) and {@link dev.deepretrieval.io.JsonMapping} (the one configured Jackson mapper). Depends on
 * Jackson only; every other module may depend on it.
 */
package dev.deepretrieval.io;
