// A field that belongs to a choice (your own connected app, a daily cap) shows with it.
// A file, not an inline script: the Content-Security-Policy allows scripts from Syncline only.
document.querySelectorAll("[data-shown-with]").forEach((field) => {
  const [name, value] = field.dataset.shownWith.split("=");
  const inputs = [...document.querySelectorAll(`[name="${name}"]`)];
  const update = () => {
    field.hidden = !inputs.some((i) => i.checked && i.value === value);
  };
  inputs.forEach((input) => input.addEventListener("change", update));
  update();
});
