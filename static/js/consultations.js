// Public participation: after a refused submission, move focus to the error summary so that
// keyboard and screen-reader users start from the list of problems. The pages work without it.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
});
