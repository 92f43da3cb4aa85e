/**
 * webpack loader for @distillery/db sources on the server: `new URL('../../drizzle/sqlite',
 * import.meta.url)` names the migrations folder next to the package source. webpack would treat it
 * as an asset to bundle (and fail on a folder); the dashboard runs from the checkout, so the base is
 * replaced by the source file's own file:// URL and the folder is read in place at run time.
 */
/* global require, module */
// webpack loads loaders with require(): this file stays CommonJS.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pathToFileURL } = require('node:url');

module.exports = function sourceLocationLoader(source) {
  return source.replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(this.resourcePath).href));
};
