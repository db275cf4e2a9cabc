// Passkeys and security keys (WebAuthn, qms/passkeys.py). A button
// [data-passkey-action] inside a form asks the server for options
// (data-passkey-options, POST with the form's CSRF token), calls the browser,
// puts its answer in the form's [data-passkey=answer] field and submits the form.
(function () {
  "use strict";
  function toBytes(b64url) {
    var s = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) { s += "="; }
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out.buffer;
  }
  function toB64url(buf) {
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i++) { bin += String.fromCharCode(bytes[i]); }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function creationOptions(o) {
    o.challenge = toBytes(o.challenge);
    o.user.id = toBytes(o.user.id);
    (o.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return o;
  }
  function requestOptions(o) {
    o.challenge = toBytes(o.challenge);
    (o.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return o;
  }
  function answerJSON(cred) {
    var r = cred.response, response = { clientDataJSON: toB64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toB64url(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toB64url(r.authenticatorData);
      response.signature = toB64url(r.signature);
      if (r.userHandle) { response.userHandle = toB64url(r.userHandle); }
    }
    return JSON.stringify({
      id: cred.id, rawId: toB64url(cred.rawId), type: cred.type, response: response,
      authenticatorAttachment: cred.authenticatorAttachment || null,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {}
    });
  }
  function say(form, text) {
    var el = form.querySelector("[data-passkey-status]");
    if (el) { el.textContent = text; el.hidden = !text; }
  }
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest("[data-passkey-action]");
    if (!button) { return; }
    ev.preventDefault();
    var form = button.closest("form"), action = button.getAttribute("data-passkey-action");
    if (!window.PublicKeyCredential) { say(form, "This browser cannot use security keys."); return; }
    if (!form.reportValidity()) { return; }
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    say(form, "");
    button.disabled = true;
    fetch(button.getAttribute("data-passkey-options"), {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", "Accept": "application/json" }
    }).then(function (resp) {
      return resp.json().then(function (body) {
        if (!resp.ok) { throw new Error(body.error || "The server did not give the security key options."); }
        return body;
      });
    }).then(function (options) {
      return action === "register"
        ? navigator.credentials.create({ publicKey: creationOptions(options) })
        : navigator.credentials.get({ publicKey: requestOptions(options) });
    }).then(function (cred) {
      form.querySelector("[data-passkey=answer]").value = answerJSON(cred);
      form.submit();
    }).catch(function (err) {
      button.disabled = false;
      say(form, (err && err.message) || "The security key did not answer.");
    });
  });
})();
