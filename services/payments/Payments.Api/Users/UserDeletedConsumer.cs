namespace Community.Payments.Users;

/// <summary>
/// A deleted account is charged and delivered nothing more; its payments and refunds stay, as the accounts need them.
/// Each feature's <see cref="IUserDataEraser"/> runs in this consumer's one transaction, in the order
/// <see cref="PaymentsServiceExtensions"/> adds them.
/// </summary>
public sealed class UserDeletedConsumer(
    PaymentsDbContext db,
    IEnumerable<IUserDataEraser> erasers,
    ILogger<UserDeletedConsumer> logger
) : UserDeletedConsumerBase<PaymentsDbContext>(db, erasers, logger);
