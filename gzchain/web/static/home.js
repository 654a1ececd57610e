// The home page: where to verify, what to trace, whom to look up.
import { startPage } from "./common.js";
import { t } from "./i18n.js";

function goTo(formId, inputId, hintId, emptyKey, path) {
  document.getElementById(formId).addEventListener("submit", (event) => {
    event.preventDefault();
    const value = document.getElementById(inputId).value.trim();
    const hint = document.getElementById(hintId);
    if (!value) {
      hint.textContent = t(emptyKey);
      return;
    }
    window.location.assign(`${path}/${encodeURIComponent(value)}`);
  });
}

goTo("trace-form", "trace-input", "trace-hint", "home.trace.empty", "/trace");
goTo("business-form", "business-input", "business-hint", "home.business.empty", "/business");
startPage();
