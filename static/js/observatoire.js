// Controls that only work with JavaScript are hidden in the HTML and shown here.
document.querySelectorAll("[data-auto-refresh]").forEach((control) => {
  control.hidden = false;
});
