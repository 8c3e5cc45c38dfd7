// Filters the server-rendered landing page as the user types, and keeps ?q= in the URL
// so a filtered view can be shared. Without JavaScript, ?q= filters on the server.
const box = document.getElementById("search");
const count = document.getElementById("count");

function matches(words, text) {
  return words.every((word) => text.includes(word));
}

function apply() {
  const words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const pack of document.querySelectorAll(".pack")) {
    const packHit = matches(words, pack.dataset.search);
    let anyFunction = false;
    for (const fn of pack.querySelectorAll(".fn")) {
      const ok = packHit || matches(words, fn.dataset.search);
      fn.classList.toggle("hidden", !ok);
      if (ok) {
        anyFunction = true;
        shown++;
      }
    }
    pack.classList.toggle("hidden", !(packHit || anyFunction));
  }
  count.textContent = shown + " function" + (shown === 1 ? "" : "s") + " shown";
  const url = new URL(location);
  if (box.value) url.searchParams.set("q", box.value);
  else url.searchParams.delete("q");
  history.replaceState(null, "", url);
}

box.addEventListener("input", apply);
apply();
