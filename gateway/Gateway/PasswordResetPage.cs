namespace Community.Gateway;

/// <summary>
/// The page password-reset e-mails link to (identity's Identity:PasswordResetUrl, by default
/// &lt;gateway&gt;/reset-password?token=): a form that posts the new password and the link's token to
/// /api/v1/auth/password/reset. Served like every <see cref="GatewayPage"/>.
/// </summary>
public static class PasswordResetPage
{
    public const string Path = "/reset-password";
    public const string ScriptPath = "/reset-password/reset.js";
    public const string StylePath = "/reset-password/reset.css";

    public static IEndpointRouteBuilder MapPasswordResetPage(this IEndpointRouteBuilder routes) =>
        routes.MapGatewayPage(Path, Html, ScriptPath, Script, StylePath);

    private const string Html = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <meta name="referrer" content="no-referrer">
          <title>Reset your Community password</title>
          <link rel="stylesheet" href="/reset-password/reset.css">
          <script src="/reset-password/reset.js" defer></script>
        </head>
        <body>
          <main>
            <h1>Choose a new password</h1>
            <form id="reset" method="post" action="/api/v1/auth/password/reset">
              <label for="new_password">New password</label>
              <input id="new_password" name="new_password" type="password" autocomplete="new-password"
                 minlength="10" maxlength="128" required>
              <label for="confirm">The same again</label>
              <input id="confirm" name="confirm" type="password" autocomplete="new-password"
                 minlength="10" maxlength="128" required>
              <p class="hint">10 to 128 characters, letters and at least one digit or symbol, not your username.</p>
              <button id="submit" type="submit">Set the new password</button>
            </form>
            <p id="status" role="status" aria-live="polite"></p>
            <p id="next" hidden><a id="next-link" href="/app/">Sign in to Community</a></p>
          </main>
        </body>
        </html>
        """;

    private const string Script = """
        "use strict";
        // the token stays in the query string: it is read here, never written into the page
        document.addEventListener("DOMContentLoaded", () => {
          const form = document.getElementById("reset");
          const status = document.getElementById("status");
          const token = new URLSearchParams(location.search).get("token");
          if (!token) {
            form.hidden = true;
            status.textContent = "This link has no reset token. Ask for a new reset e-mail.";
            document.getElementById("next-link").href = "/app/forgot";
            document.getElementById("next-link").textContent = "Ask for a new link";
            document.getElementById("next").hidden = false;
            return;
          }
          form.addEventListener("submit", async (event) => {
            event.preventDefault();
            const password = form.elements.new_password.value;
            if (password !== form.elements.confirm.value) {
              status.textContent = "The two passwords differ.";
              return;
            }
            form.elements.submit.disabled = true;
            try {
              const response = await fetch(form.action, {
                method: "POST",
                headers: { "content-type": "application/json", "accept": "application/json" },
                body: JSON.stringify({ token: token, new_password: password }),
              });
              if (response.ok) {
                form.hidden = true;
                history.replaceState(null, "", location.pathname);
                status.textContent = "Your password is changed and every session is signed out. "
                    + "Sign in with the new password.";
                document.getElementById("next").hidden = false;
                return;
              }
              const problem = await response.json().catch(() => ({}));
              const details = problem.errors ? Object.values(problem.errors).flat().join(" ") : "";
              status.textContent = [problem.title || "The password was not changed.", details].join(" ").trim();
            } catch {
              status.textContent = "The platform could not be reached. Try again.";
            } finally {
              form.elements.submit.disabled = false;
            }
          });
        });
        """;
}
