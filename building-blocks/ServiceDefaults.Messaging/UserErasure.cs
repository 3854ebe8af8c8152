using Community.Contracts.Identity;
using Community.ServiceDefaults.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.Messaging;

/// <summary>
/// One feature's share of erasing a deleted account. A scoped service on the same <c>DbContext</c> as the service's
/// <see cref="UserDeletedConsumerBase{TContext}"/>, so every share runs in that consumer's one transaction, once per
/// message; registered with <see cref="UserErasureRegistration.AddUserDataEraser{TEraser}"/>, run in registration
/// order.
/// </summary>
public interface IUserDataEraser
{
    /// <summary>
    /// Deletes or anonymises what this feature holds about the user; tracked changes are saved with the rest.
    /// </summary>
    Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken);

    /// <summary>
    /// After the commit (files in blob storage, live pushes): best effort, never before the rows are gone.
    /// </summary>
    Task ErasedAsync(UserDeleted deleted, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// A service's one <see cref="UserDeleted"/> consumer: each subclass is that service's, named for its queue.
/// </summary>
public abstract class UserDeletedConsumerBase<TContext>(
    TContext db,
    IEnumerable<IUserDataEraser> erasers,
    ILogger logger
) : IdempotentConsumer<UserDeleted, TContext>(db, logger)
    where TContext : DbContext
{
    private readonly IUserDataEraser[] _erasers = [.. erasers];

    protected override async Task HandleAsync(ConsumeContext<UserDeleted> context, CancellationToken cancellationToken)
    {
        // First, before any row: the service's writers about members holding the gate shared are waited for (what
        // they wrote is erased here), and later ones see the tombstone. Where none takes it, an uncontended lock.
        await ErasureGate.CloseAsync(Db, cancellationToken);
        foreach (var eraser in _erasers)
            await eraser.EraseAsync(context.Message, cancellationToken);
        // Every service keeps the answers to the account's keyed requests (the platform's idempotent_requests) for a
        // day: they hold what those requests returned (messages, replies, profiles), which goes with the account.
        await Db.Database.ExecuteSqlAsync(
            $"DELETE FROM idempotent_requests WHERE user_id = {context.Message.UserId}",
            cancellationToken
        );
    }

    protected override async Task AfterCommitAsync(
        ConsumeContext<UserDeleted> context,
        CancellationToken cancellationToken
    )
    {
        foreach (var eraser in _erasers)
            await eraser.ErasedAsync(context.Message, cancellationToken);
    }
}

public static class UserErasureRegistration
{
    /// <summary>Adds a feature's share of erasing a deleted account (run in the order added).</summary>
    public static IServiceCollection AddUserDataEraser<TEraser>(this IServiceCollection services)
        where TEraser : class, IUserDataEraser => services.AddScoped<IUserDataEraser, TEraser>();
}
