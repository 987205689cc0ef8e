// The preview page: the schedule form's time zone starts as the browser's own.
(() => {
  const zone = document.getElementById("timezone");
  if (!zone) return;
  try { zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch (err) { /* keep UTC */ }
})();
