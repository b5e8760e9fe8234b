// Sphinx's search page fetches every result's page to show a text snippet.
// A book opened from disk (file://) cannot fetch: every result then logs
// "Failed to fetch". From disk, ask for no snippets; served over http
// (`make serve`) the snippets are shown as usual.
(function () {
  if (window.location.protocol === "file:" &&
      typeof DOCUMENTATION_OPTIONS !== "undefined") {
    DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
  }
})();
