namespace Community.Gateway;

/// <summary>
/// The page registration e-mails link to (identity's Identity:RegistrationConfirmUrl, by default
/// &lt;gateway&gt;/confirm-registration?token=): a button that posts the link's token to
/// /api/v1/auth/register/confirm, which confirms the new account's e-mail (the account exists from registration on).
/// Served like every <see cref="GatewayPage"/>.
/// </summary>
public static class RegistrationConfirmPage
{
    public const string Path = "/confirm-registration";
    public const string ScriptPath = "/confirm-registration/confirm.js";
    public const string StylePath = "/confirm-registration/confirm.css";

    public static IEndpointRouteBuilder MapRegistrationConfirmPage(this IEndpointRouteBuilder routes) =>
        routes.MapGatewayPage(Path, Html, ScriptPath, Script, StylePath);

    private const string Html = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <meta name="referrer" content="no-referrer">
          <title>Confirm your Community e-mail address</title>
          <link rel="stylesheet" href="/confirm-registration/confirm.css">
          <script src="/confirm-registration/confirm.js" defer></script>
        </head>
        <body>
          <main>
            <h1>Confirm your e-mail address</h1>
            <form id="confirm" method="post" action="/api/v1/auth/register/confirm">
              <p class="hint">The address is confirmed for your account when you press the button.</p>
              <button id="submit" type="submit">Confirm my address</button>
            </form>
            <p id="status" role="status" aria-live="polite"></p>
            <p id="next" hidden><a href="/app/">Open Community</a></p>
          </main>
        </body>
        </html>
        """;

    private const string Script = """
        "use strict";
        // the token stays in the query string: it is read here, never written into the page
        document.addEventListener("DOMContentLoaded", () => {
          const form = document.getElementById("confirm");
          const status = document.getElementById("status");
          const token = new URLSearchParams(location.search).get("token");
          if (!token) {
            form.hidden = true;
            status.textContent = "This link has no confirmation token. Sign in and ask for a new confirmation e-mail.";
            document.getElementById("next").hidden = false;
            return;
          }
          form.addEventListener("submit", async (event) => {
            event.preventDefault();
            form.elements.submit.disabled = true;
            try {
              const response = await fetch(form.action, {
                method: "POST",
                headers: { "content-type": "application/json", "accept": "application/json" },
                body: JSON.stringify({ token: token }),
              });
              if (response.status === 200) {
                form.hidden = true;
                history.replaceState(null, "", location.pathname);
                status.textContent = "Your e-mail address is confirmed. You can sign in with it in the app.";
                document.getElementById("next").hidden = false;
                return;
              }
              const problem = await response.json().catch(() => ({}));
              const details = problem.errors ? Object.values(problem.errors).flat().join(" ") : problem.detail;
              status.textContent = details || problem.title || "The address was not confirmed.";
            } catch {
              status.textContent = "The platform could not be reached. Try again.";
            } finally {
              form.elements.submit.disabled = false;
            }
          });
        });
        """;
}
