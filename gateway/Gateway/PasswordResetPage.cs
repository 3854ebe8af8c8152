using Community.ServiceDefaults.Api;
namespace Community.Gateway;

/// <summary>
/// The page password-reset e-mails link to (identity's Identity:PasswordResetUrl, by default
/// &lt;gateway&gt;/reset-password?token=): a form that posts the new password and the link's token to
/// /api/v1/auth/password/reset. Its script and style are served here too, so the CSP allows
/// nothing else: no inline code, no other origin.
/// </summary>
public static class PasswordResetPage
{
    public const string Path = "/reset-password";
    public const string ScriptPath = "/reset-password/reset.js";
    public const string StylePath = "/reset-password/reset.css";

    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapPasswordResetPage(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(Path, (HttpContext context) => Serve(context, Html, "text/html; charset=utf-8")).AllowAnonymous().ExcludeFromDescription()
            .AcceptsQueryParameters("token");
        routes.MapGet(ScriptPath, (HttpContext context) => Serve(context, Script, "text/javascript; charset=utf-8")).AllowAnonymous().ExcludeFromDescription();
        routes.MapGet(StylePath, (HttpContext context) => Serve(context, Style, "text/css; charset=utf-8")).AllowAnonymous().ExcludeFromDescription();
        return routes;
    }

    private static IResult Serve(HttpContext context, string content, string contentType)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer"; // the token is in the page's URL
        headers.CacheControl = "no-store";
        return Results.Text(content, contentType);
    }

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
              <input id="new_password" name="new_password" type="password" autocomplete="new-password" minlength="10" maxlength="128" required>
              <label for="confirm">The same again</label>
              <input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="10" maxlength="128" required>
              <p class="hint">10 to 128 characters, letters and at least one digit or symbol, not your username.</p>
              <button id="submit" type="submit">Set the new password</button>
            </form>
            <p id="status" role="status" aria-live="polite"></p>
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
                status.textContent = "Your password is changed and every session is signed out. Sign in with the new password.";
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

    private const string Style = """
        body { font-family: system-ui, sans-serif; margin: 0; background: #f6f6f4; color: #1d1d1b; }
        main { max-width: 26rem; margin: 4rem auto; padding: 2rem; background: #fff; border-radius: 8px; }
        h1 { font-size: 1.4rem; margin-top: 0; }
        label { display: block; margin-top: 1rem; font-weight: 600; }
        input { width: 100%; box-sizing: border-box; padding: .6rem; margin-top: .3rem; font-size: 1rem; }
        .hint { font-size: .85rem; color: #5c5c58; }
        button { margin-top: 1rem; padding: .7rem 1rem; font-size: 1rem; cursor: pointer; }
        #status { margin-top: 1rem; }
        """;
}
