using Community.AiCompanion.Conversation.Safety;

// In the service's root namespace so AddCompanionServices needs no extra using (one line to merge).
namespace Community.AiCompanion;

public static class SafetyServiceExtensions
{
    /// <summary>
    /// The guard (stateless), the recorder and its counter, the minors' break reminders, and their erasure on
    /// UserDeleted.
    /// </summary>
    public static IServiceCollection AddCompanionSafety(this IServiceCollection services)
    {
        services.AddSingleton<ISafetyGuard, SafetyGuard>();
        services.AddSingleton<SafetyMetrics>();
        services.AddScoped<SafetyEvents>();
        services.AddScoped<BreakReminders>();
        services.AddUserDataEraser<SafetyEraser>();
        return services;
    }
}
