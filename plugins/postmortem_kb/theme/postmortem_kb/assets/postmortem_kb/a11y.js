// postmortem-kb: the search dialog needs an accessible name (axe-core rule aria-dialog-name);
// Material's search box has role="dialog" but no label.
(function () {
  "use strict";
  document.querySelectorAll('.md-search[role="dialog"]').forEach(function (dialog) {
    if (!dialog.hasAttribute("aria-label") && !dialog.hasAttribute("aria-labelledby")) {
      dialog.setAttribute("aria-label", "Search");
    }
  });
})();
