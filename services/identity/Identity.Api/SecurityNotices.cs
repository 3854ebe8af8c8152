using System.Globalization;
using Community.ServiceDefaults.Mail;

namespace Community.Identity;

/// <summary>
/// Tells an account's owner, at the e-mail they confirmed, that how the account is signed in to has changed: if it was
/// not them, this is how they learn someone else holds the password. Sent after the change commits, through the mail
/// queue, so the answer neither waits for the mail server nor depends on it.
/// </summary>
public sealed class SecurityNotices(MailInBackground mail, TimeProvider clock)
{
    /// <summary>
    /// The password was changed, with a reset link (<see cref="SessionEnding.PasswordReset"/>) or signed in.
    /// </summary>
    public void PasswordChanged(User user, string reason) =>
        Send(
            user,
            "Your Community password was changed",
            $"The password of {user.Username} was changed "
                + (reason == SessionEnding.PasswordReset ? "with a reset link" : "by someone signed in to the account")
                + $" on {When()}, and every other session of the account has ended.\n\n"
                + "If it was you, there is nothing more to do. If it was not, ask for a new password at once "
                + "(\"Forgot password\" on the sign-in page): the link comes only to this address.",
            $"the password-changed notice of {user.Id}"
        );

    /// <summary>Two-factor sign-in was turned off: the password alone now signs in.</summary>
    public void TwoFactorTurnedOff(User user) =>
        Send(
            user,
            "Two-factor sign-in was turned off on your Community account",
            $"Two-factor sign-in of {user.Username} was turned off on {When()}: the password alone now signs in, "
                + "and the recovery codes no longer work.\n\n"
                + "If it was you, there is nothing more to do. If it was not, someone knows your password and had "
                + "your authenticator or a recovery code: ask for a new password at once (\"Forgot password\" on the "
                + "sign-in page) and turn two-factor sign-in on again.",
            $"the two-factor-off notice of {user.Id}"
        );

    /// <summary>
    /// Two-factor sign-in was turned on: signing in now takes a code from the app set up then, and every session but
    /// the one that turned it on has ended.
    /// </summary>
    public void TwoFactorTurnedOn(User user) =>
        Send(
            user,
            "Two-factor sign-in was turned on on your Community account",
            $"Two-factor sign-in of {user.Username} was turned on on {When()}: signing in now takes the password and "
                + "a code from the authenticator app set up then (or one of its recovery codes), and every other "
                + "session of the account has ended.\n\n"
                + "If it was you, keep the recovery codes somewhere safe. If it was not, someone knows your password "
                + "and holds the app: ask for a new password at once (\"Forgot password\" on the sign-in page), which "
                + "ends their sessions, and ask an administrator to turn two-factor sign-in off for you.",
            $"the two-factor-on notice of {user.Id}"
        );

    /// <summary>An administrator turned two-factor sign-in off (the owner had lost the app and the codes).</summary>
    public void TwoFactorReset(User user) =>
        Send(
            user,
            "An administrator turned two-factor sign-in off on your Community account",
            $"An administrator turned two-factor sign-in of {user.Username} off on {When()}, and every session of the "
                + "account has ended: the password alone now signs in.\n\n"
                + "Turn two-factor sign-in on again from your settings once you are signed in. If you did not ask for "
                + "this, ask for a new password at once (\"Forgot password\" on the sign-in page).",
            $"the two-factor-reset notice of {user.Id}"
        );

    /// <summary>
    /// An outside provider's sign-in was linked to the account, found by the confirmed e-mail the provider vouched for:
    /// from now on it signs in to this account without the password.
    /// </summary>
    public void ExternalLoginLinked(User user, string provider) =>
        Send(
            user,
            $"Sign-in with {provider} was added to your Community account",
            $"On {When()}, someone signed in with {provider} using this e-mail address, and that sign-in was linked "
                + $"to {user.Username}: from now on it signs in to the account without the password.\n\n"
                + "If it was you, and you set up this account yourself, there is nothing more to do. If you never made "
                + "this account (someone else may have made it with your address and knows its password), ask for a "
                + "new password at once (\"Forgot password\" on the sign-in page): the link comes only to this "
                + "address, and every session of the account ends. If the sign-in was not yours, someone holds a "
                + $"{provider} account with your address: remove {provider} sign-in in your account's settings (a "
                + $"{provider} sign-in with this address is then not linked again on its own) and tell an "
                + "administrator.",
            $"the sign-in-linked notice of {user.Id}"
        );

    /// <summary>
    /// A signed-in member linked an outside provider's sign-in to the account from its settings: from now on it signs
    /// in to this account without the password.
    /// </summary>
    public void ExternalLoginLinkedInSettings(User user, string provider) =>
        Send(
            user,
            $"Sign-in with {provider} was added to your Community account",
            $"On {When()}, someone signed in to {user.Username} linked a {provider} account to it in the account's "
                + $"settings: from now on that {provider} account signs in to this account without the password.\n\n"
                + "If it was you, there is nothing more to do. If it was not, someone is signed in to your account: "
                + "ask for a new password at once (\"Forgot password\" on the sign-in page), which ends every "
                + $"session of the account, then remove {provider} sign-in in your settings.",
            $"the sign-in-linked-in-settings notice of {user.Id}"
        );

    /// <summary>
    /// The member removed an outside provider's sign-in from the account: it no longer signs in to it, and a sign-in
    /// with it by the account's e-mail is not linked again on its own.
    /// </summary>
    public void ExternalLoginRemoved(User user, string provider) =>
        Send(
            user,
            $"{provider} sign-in was removed from your Community account",
            $"On {When()}, {provider} sign-in was removed from {user.Username}: it no longer signs in to the account, "
                + $"and a {provider} sign-in with this e-mail address is not linked to it again on its own. The "
                + $"password still signs in, and {provider} can be linked again in the account's settings.\n\n"
                + "If it was you, there is nothing more to do. If it was not, someone knows your password: ask for a "
                + "new password at once (\"Forgot password\" on the sign-in page), which ends every session of the "
                + "account.",
            $"the sign-in-removed notice of {user.Id}"
        );

    private string When() => clock.GetUtcNow().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private void Send(User user, string subject, string body, string about)
    {
        // Only a confirmed address: an unconfirmed one may be a stranger's (a typo at registration).
        if (user is { Email: { } email, EmailVerifiedAt: not null })
            mail.SendNotice(new EmailMessage(email, subject, body), about);
    }
}
