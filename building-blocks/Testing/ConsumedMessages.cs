using System.Collections.Concurrent;
using MassTransit;

namespace Community.Testing;

/// <summary>
/// Every message a consumer of the fixture's instances finished with (after its commit), by message id and consumer
/// class: how a test knows a consumer handled a message that changed nothing (no inbox row is written then).
/// </summary>
public sealed class ConsumedMessages : IReceiveObserver
{
    private readonly ConcurrentDictionary<(Guid MessageId, string Consumer), int> _consumed = new();

    /// <summary>Whether <paramref name="consumer"/> (a consumer's class name) finished with
    /// <paramref name="messageId"/>.</summary>
    public bool Has(Guid messageId, string consumer) => _consumed.ContainsKey((messageId, Short(consumer)));

    /// <summary>
    /// How many times <paramref name="consumer"/> (a consumer's class name) finished with <paramref name="messageId"/>:
    /// a redelivery its inbox skipped counts too.
    /// </summary>
    public int Times(Guid messageId, string consumer) => _consumed.GetValueOrDefault((messageId, Short(consumer)));

    /// <summary>How many messages <paramref name="consumer"/> (a consumer's class name) finished with.</summary>
    public int Count(string consumer) => _consumed.Keys.Count(k => k.Consumer == Short(consumer));

    Task IReceiveObserver.PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType)
    {
        if (context.MessageId is { } id)
            _consumed.AddOrUpdate((id, Short(consumerType)), 1, (_, times) => times + 1);
        return Task.CompletedTask;
    }

    // MassTransit names a consumer by its type's full name (with generic arguments); tests by its class name.
    private static string Short(string consumer)
    {
        var name = consumer.Split('<', '[')[0];
        return name[(name.LastIndexOf('.') + 1)..];
    }

    Task IReceiveObserver.PreReceive(ReceiveContext context) => Task.CompletedTask;

    Task IReceiveObserver.PostReceive(ReceiveContext context) => Task.CompletedTask;

    Task IReceiveObserver.ConsumeFault<T>(
        ConsumeContext<T> context,
        TimeSpan duration,
        string consumerType,
        Exception exception
    ) => Task.CompletedTask;

    Task IReceiveObserver.ReceiveFault(ReceiveContext context, Exception exception) => Task.CompletedTask;
}
