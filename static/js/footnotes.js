// A followed citation ([3], or any link to an element inside folded notes) opens the
// <details> around its target and shows it. Browsers that open it themselves lose nothing;
// without JavaScript the notes open with a click on their summary.
function revealNote(hash) {
  let id;
  try {
    id = decodeURIComponent(hash.slice(1));
  } catch {
    return; // a malformed fragment (#%E0) points at nothing
  }
  const target = id && document.getElementById(id);
  if (!target) return;
  const folded = target.closest("details:not([open])");
  if (folded) {
    folded.open = true;
    target.scrollIntoView();
  }
}

window.addEventListener("hashchange", () => revealNote(window.location.hash));
// Following the same citation again changes no hash: no hashchange.
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest('a[href^="#"]');
  if (link && link.hash === window.location.hash) revealNote(link.hash);
});
revealNote(window.location.hash);
