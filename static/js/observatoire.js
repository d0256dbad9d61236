// Controls that only work with JavaScript are hidden in the HTML and shown here.
document.querySelectorAll("[data-auto-refresh]").forEach((control) => {
  control.hidden = false;
});

// Conditions on htmx requests live here rather than in trigger filters ("every 60s [expr]"):
// htmx evaluates those with Function(), which the Content-Security-Policy forbids.
document.addEventListener("htmx:confirm", (event) => {
  const element = event.detail.elt;
  const polling = event.detail.triggeringEvent === undefined || event.detail.triggeringEvent === null;
  // The dashboard's deadline panel polls only while its "refresh" switch is on (WCAG 2.2.2).
  if (polling && element.hasAttribute("data-refresh-unless-paused")) {
    const toggle = document.getElementById("auto-refresh");
    if (toggle && !toggle.checked) event.preventDefault();
  }
  // The bell asks only while it is on screen: not from a tab nobody looks at, and not for
  // the copy the DSFR keeps in the small-screen menu (or the header's, on a small screen).
  if (element.hasAttribute("data-poll-while-visible")
      && (document.visibilityState !== "visible" || element.getClientRects().length === 0)) {
    event.preventDefault();
  }
});

// Due words typed again, the same as stored, mean "as of today" (« à l'automne » said again
// now is this autumn): tick the box that asks the writer to read them again. Without
// JavaScript the box is there to tick by hand.
document.addEventListener("input", (event) => {
  const field = event.target;
  if (!(field instanceof HTMLInputElement) || field.name !== "due_text" || !field.form) return;
  const reread = field.form.querySelector("input[name=reread_due]");
  if (reread && field.value.trim() === (reread.dataset.dueWords || "").trim()) reread.checked = true;
});
