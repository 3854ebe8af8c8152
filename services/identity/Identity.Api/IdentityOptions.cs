namespace Community.Identity;

/// <summary>Identity's settings, bound from the "Identity" configuration section.</summary>
public sealed class IdentityOptions
{
    public const string Section = "Identity";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// The longest one sign-in lasts, however often its refresh token is rotated: a refresh token never outlives its
    /// session's start plus this, and after it the person signs in again.
    /// </summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// How long after a rotation the refresh token it used up may be sent again, from any address, while no later
    /// token has been refreshed with: the answer was lost (a dropped connection, a network switch, a page reloaded
    /// while it was on its way) and the client asks again, as often as answers are lost. The live successor is replaced
    /// then, instead of the whole sign-in ending as stolen. Zero turns it off.
    /// </summary>
    public TimeSpan RefreshRetryWindow { get; set; } = TimeSpan.FromSeconds(60);
    public TimeSpan PasswordResetLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long the link that finishes a registration with an e-mail stays valid.</summary>
    public TimeSpan RegistrationConfirmationLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// A new signing key is made when the newest is older than this; older keys stay published until their tokens
    /// expire.
    /// </summary>
    public TimeSpan SigningKeyRotation { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Outside OpenID Connect providers by name (e.g. "google"), from Identity:ExternalLogin:{provider}.
    /// </summary>
    public Dictionary<string, ExternalLoginProvider> ExternalLogin { get; set; } =
        new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The public address of the gateway; providers send the browser back to
    /// {GatewayUrl}/api/v1/auth/external/{provider}/callback.
    /// </summary>
    public string GatewayUrl { get; set; } = "http://localhost:8080";

    /// <summary>
    /// Client pages an outside sign-in may return to (exact origin and path; an entry ending in / allows every path
    /// below it): anything else could receive someone's one-time code. None by default: the configuration binder adds
    /// configured items to a list it finds filled, so a default page here would stay allowed in every environment.
    /// Development's local gateway is in appsettings.Development.json (AppHost sets its own).
    /// </summary>
    public List<string> ExternalLoginClientRedirects { get; set; } = [];

    /// <summary>How long a started outside sign-in may take before its callback is refused.</summary>
    public TimeSpan ExternalLoginStateLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long the one-time code handed to the client after an outside sign-in stays valid.</summary>
    public TimeSpan ExternalLoginCodeLifetime { get; set; } = TimeSpan.FromSeconds(60);

    public LoginThrottleOptions LoginThrottle { get; set; } = new();
    public RegistrationThrottleOptions RegistrationThrottle { get; set; } = new();
    public PhoneVerificationOptions PhoneVerification { get; set; } = new();
    public TwoFactorOptions TwoFactor { get; set; } = new();

    /// <summary>Accounts made or promoted to admin at start-up (passwords come from secrets, never from git).</summary>
    public List<AdminAccount> Admins { get; set; } = [];

    /// <summary>Link put in password-reset e-mails; the token is appended.</summary>
    public string PasswordResetUrl { get; set; } = "http://localhost:8080/reset-password?token=";

    /// <summary>
    /// Link put in registration-confirmation e-mails; the token is appended (a client page that posts it to
    /// /api/v1/auth/register/confirm).
    /// </summary>
    public string RegistrationConfirmUrl { get; set; } = "http://localhost:8080/confirm-registration?token=";

    /// <summary>
    /// Link put in waitlist e-mails; the status token is appended. By default the status route itself (its JSON); where
    /// the gateway serves the web client, its page (&lt;gateway&gt;/app/waitlist?token=, as AppHost sets it) shows the
    /// place.
    /// </summary>
    public string WaitlistStatusUrl { get; set; } = "http://localhost:8080/api/v1/waitlist/status?token=";
}

public sealed class ExternalLoginProvider
{
    /// <summary>
    /// The provider's issuer, e.g. https://accounts.google.com; its discovery document is
    /// {Issuer}/.well-known/openid-configuration.
    /// </summary>
    public string Issuer { get; set; } = "";
    public string ClientId { get; set; } = "";

    /// <summary>How clients name it on their buttons; the name with a capital first letter when not given.</summary>
    public string? DisplayName { get; set; }

    /// <summary>From a secret store, never from git.</summary>
    public string ClientSecret { get; set; } = "";
    public string Scope { get; set; } = "openid email profile";

    /// <summary>Only a local test provider may be plain http.</summary>
    public bool RequireHttps { get; set; } = true;
}

public sealed class LoginThrottleOptions
{
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Failures on one account after which the next attempt waits <see cref="SlowdownStep"/> after the last failure, a
    /// step more for each further failure up to <see cref="MaxSlowdown"/>; one sooner is a 429 with Retry-After.
    /// </summary>
    public int AccountSlowAfter { get; set; } = 3;

    /// <summary>
    /// Failures on one account in a window after which the address they came from is refused with 429 for the rest of
    /// the window, and every address but the account's usual ones backs off (<see cref="AccountBackoff"/>).
    /// </summary>
    public int AccountLockAfter { get; set; } = 10;

    /// <summary>
    /// Past <see cref="AccountLockAfter"/>, a login from an address that is not one of the account's usual ones
    /// waits this long after the account's last failure, doubling with each further one up to
    /// <see cref="MaxAccountBackoff"/>.
    /// </summary>
    public TimeSpan AccountBackoff { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The longest a stranger's failures can keep the owner out at a new address.</summary>
    public TimeSpan MaxAccountBackoff { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Failures from one IP in a window after which logins from it are refused with 429.</summary>
    public int IpLockAfter { get; set; } = 50;

    public TimeSpan SlowdownStep { get; set; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan MaxSlowdown { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// From an address the account signed in from before, failures past <see cref="AccountLockAfter"/>
    /// are not locked out: each further attempt waits this long after the last failure, doubling each time (at most
    /// <see cref="Window"/>).
    /// </summary>
    public TimeSpan UsualAddressBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long after its last successful login an address stays one of the account's usual addresses.
    /// </summary>
    public TimeSpan UsualAddressMemory { get; set; } = TimeSpan.FromDays(90);
}

public sealed class RegistrationThrottleOptions
{
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Well-formed registrations naming one e-mail or phone from one client address in a window before 429.
    /// </summary>
    public int PerIdentifierAndAddress { get; set; } = 10;

    /// <summary>New confirmation links one account may ask for in a window before 429.</summary>
    public int LinksPerAccount { get; set; } = 5;

    /// <summary>
    /// Password-reset mails one account is sent in a window at the request of one client address; further requests
    /// from it get the usual answer and send nothing (the owner's own, from their address, are still mailed while the
    /// account is below <see cref="ResetMailsPerAccount"/>).
    /// </summary>
    public int ResetMailsPerAccountAndAddress { get; set; } = 5;

    /// <summary>
    /// Password-reset mails one account is sent in a window, whoever asks from wherever: the inbox's ceiling.
    /// </summary>
    public int ResetMailsPerAccount { get; set; } = 20;

    /// <summary>
    /// Password-reset mails an account is still sent in a window past <see cref="ResetMailsPerAccount"/>, each the
    /// first one asked for from a client address in that window: strangers who spent the ceiling from a few addresses
    /// do not keep the owner, asking from theirs, from their mail.
    /// </summary>
    public int ResetMailSpares { get; set; } = 20;

    /// <summary>
    /// How many of <see cref="ResetMailSpares"/> the client addresses of one network may have in a window: the /48 of
    /// an IPv6 address, the /24 of an IPv4 one. A home is given a /56, 256 /64s each counted as an address of its own,
    /// which would otherwise spend every spare and leave the owner no mail; a quarter of them by default.
    /// </summary>
    public int ResetMailSparesPerNetwork { get; set; } = 5;

    /// <summary>
    /// Waitlist joins and place requests naming one e-mail from one client address in a window before 429, listed or
    /// not: each may mail it.
    /// </summary>
    public int WaitlistMailsPerAddress { get; set; } = 10;

    /// <summary>The same from every client address together: what one inbox may be sent in a window.</summary>
    public int WaitlistMailsPerEmail { get; set; } = 30;

    /// <summary>
    /// Waitlist requests naming one e-mail still taken in a window past <see cref="WaitlistMailsPerEmail"/>, each the
    /// first one from a client address in that window: strangers who spent the ceiling from a few addresses do not
    /// keep the owner, asking from theirs, from joining or from their place.
    /// </summary>
    public int WaitlistMailSpares { get; set; } = 30;

    /// <summary>
    /// How many of <see cref="WaitlistMailSpares"/> one network's client addresses may have in a window, as
    /// <see cref="ResetMailSparesPerNetwork"/>: a quarter of them (rounded down) by default.
    /// </summary>
    public int WaitlistMailSparesPerNetwork { get; set; } = 7;

    /// <summary>
    /// Confirmation links (or, for an address another account has confirmed, notes to its owner) one e-mail address
    /// is sent in a window because of registrations and link requests from one client address; past it, those get
    /// their usual answer and mail nothing.
    /// </summary>
    public int ConfirmationMailsPerEmailAndAddress { get; set; } = 10;

    /// <summary>
    /// The same for every account and client address together, so accounts made to name a stranger cannot flood the
    /// inbox.
    /// </summary>
    public int ConfirmationMailsPerEmail { get; set; } = 30;

    /// <summary>
    /// Confirmation mails one e-mail address is still sent in a window past <see cref="ConfirmationMailsPerEmail"/>,
    /// each the first one caused from a client address in that window: accounts made from a few addresses to spend the
    /// ceiling do not keep the owner, registering or asking from theirs, from their link.
    /// </summary>
    public int ConfirmationMailSpares { get; set; } = 30;

    /// <summary>
    /// How many of <see cref="ConfirmationMailSpares"/> one network's client addresses may have in a window, as
    /// <see cref="ResetMailSparesPerNetwork"/>: a quarter of them (rounded down) by default.
    /// </summary>
    public int ConfirmationMailSparesPerNetwork { get; set; } = 7;
}

public sealed class PhoneVerificationOptions
{
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Wrong codes after which a code is dead and a new one must be requested.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The shortest wait between two codes for one account.</summary>
    public TimeSpan ResendAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Codes one account may be sent in a <see cref="Window"/> before 429 (each costs a text message).
    /// </summary>
    public int SendsPerWindow { get; set; } = 5;

    /// <summary>
    /// Codes one number may be sent in a <see cref="Window"/> by every account that gives it together: an unverified
    /// number claims nothing, so many accounts may name one stranger's phone.
    /// </summary>
    public int SendsPerNumber { get; set; } = 5;

    /// <summary>
    /// Codes one number is still sent in a <see cref="Window"/> past <see cref="SendsPerNumber"/>, each the first one
    /// asked for from a client address in that window: a stranger who spent the number's texts from one address (or a
    /// few) does not keep its owner, asking from theirs, from their code.
    /// </summary>
    public int SpareSendsPerNumber { get; set; } = 5;

    /// <summary>
    /// How many of <see cref="SpareSendsPerNumber"/> the client addresses of one network may have in a window: the
    /// /48 of an IPv6 address, the /24 of an IPv4 one. A home is given a /56, 256 /64s each counted as an address of
    /// its own, which would otherwise spend every spare and leave the owner no code; one by default.
    /// </summary>
    public int SpareSendsPerNetwork { get; set; } = 1;
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);
}

public sealed class TwoFactorOptions
{
    /// <summary>How long a login with the right password may take to give its second factor.</summary>
    public TimeSpan ChallengeLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Codes one challenge may be answered with before it is dead and the login starts again.</summary>
    public int AttemptsPerChallenge { get; set; } = 5;

    /// <summary>Wrong codes or passwords one account may give in a <see cref="Window"/> before 429.</summary>
    public int FailuresPerWindow { get; set; } = 10;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The issuer an authenticator app shows beside the account.</summary>
    public string Issuer { get; set; } = "Community";
}

public sealed class AdminAccount
{
    public string Username { get; set; } = "";
    public string? Email { get; set; }
    public string? Password { get; set; }
}
