// Asks before an irreversible move. A form (or the button that submits it) carries the
// question in data-confirm, written by the server with the step's number and name; without
// JavaScript the form simply submits. An external file: the CSP forbids inline scripts.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const question = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
