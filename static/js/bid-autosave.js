// Progressive enhancement for a bid's answers page: every 30 seconds, if anything changed, post
// the form to its own address as an autosave. The server refuses a stale version (the bid was
// saved in another tab since), and the message says so. Without JavaScript, "Save draft" works.
(function () {
  "use strict";

  function start(form) {
    var seconds = parseInt(form.getAttribute("data-autosave"), 10) || 30;
    var status = document.getElementById("autosave-status");
    var version = form.querySelector("input[name='version']");
    var changed = false;
    var stopped = false;

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    form.addEventListener("input", function () {
      changed = true;
    });
    form.addEventListener("change", function () {
      changed = true;
    });

    function save() {
      if (!changed || stopped) {
        return;
      }
      changed = false;
      var data = new FormData(form);
      fetch(form.getAttribute("action") || window.location.href, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Autosave": "1", "X-Requested-With": "XMLHttpRequest" }
      })
        .then(function (response) {
          return response.json().then(function (body) {
            return { status: response.status, body: body };
          });
        })
        .then(function (result) {
          if (result.body.saved) {
            if (version) {
              version.value = result.body.version;
            }
            say(result.body.message);
          } else {
            say(result.body.message);
            if (result.status === 409) {
              // Someone saved elsewhere: stop, so that this tab never overwrites their work.
              stopped = true;
            } else {
              changed = true;
            }
          }
        })
        .catch(function () {
          changed = true;
          say("Could not save automatically. Use “Save draft” to save your work.");
        });
    }

    window.setInterval(save, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-autosave]");
    for (var i = 0; i < forms.length; i += 1) {
      start(forms[i]);
    }
  });
})();
