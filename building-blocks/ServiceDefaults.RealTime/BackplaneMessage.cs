namespace Community.ServiceDefaults.RealTime;

/// <summary>Which connections of a hub a <see cref="BackplaneMessage"/> is for, or which group command or answer it carries.</summary>
public enum BackplaneTarget
{
    /// <summary>Every connection but the <see cref="BackplaneMessage.Excluded"/> ones.</summary>
    All,
    /// <summary>The connections whose ids are the <see cref="BackplaneMessage.Targets"/>.</summary>
    Connections,
    /// <summary>The members of the groups named in <see cref="BackplaneMessage.Targets"/>, each once, but the excluded ones.</summary>
    Groups,
    /// <summary>The connections of the users in <see cref="BackplaneMessage.Targets"/>.</summary>
    Users,
    /// <summary>The instance owning connection <see cref="BackplaneMessage.Targets"/>[0] adds it to <see cref="BackplaneMessage.Group"/> and acknowledges.</summary>
    AddToGroup,
    /// <summary>As <see cref="AddToGroup"/>, removing.</summary>
    RemoveFromGroup,
    /// <summary>The answer to a group command, for instance <see cref="BackplaneMessage.Targets"/>[0].</summary>
    Acknowledge,
}

/// <summary>An invocation serialized once per hub protocol, as every instance writes it to its connections.</summary>
public sealed record BackplanePayload(string Protocol, byte[] Bytes);

/// <summary>
/// One backplane message: published once per send, received by every instance on its ephemeral queue,
/// delivered by each to its own matching connections (the <see cref="Origin"/> delivered to its own already).
/// </summary>
public sealed record BackplaneMessage(
    string Hub,
    string Origin,
    BackplaneTarget Target,
    IReadOnlyList<string> Targets,
    IReadOnlyList<string> Excluded,
    IReadOnlyList<BackplanePayload> Payloads,
    string? Group = null,
    Guid? Command = null);
