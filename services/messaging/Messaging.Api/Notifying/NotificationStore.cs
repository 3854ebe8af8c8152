using System.Text.Json;
using Community.Messaging.Notifications;

namespace Community.Messaging.Notifying;

public static class NotificationKinds
{
    public const string ConnectionRequested = "connection_requested";
    public const string ConnectionAccepted = "connection_accepted";
    public const string GroupJoinRequested = "group_join_requested";
    public const string GroupJoinDecided = "group_join_decided";
    public const string GroupInvited = "group_invited";
    public const string RegistrationConfirmed = "registration_confirmed";
    public const string PaymentSucceeded = "payment_succeeded";
    public const string PaymentRefundFailed = "payment_refund_failed";
    public const string CourseEnrolled = "course_enrolled";
    public const string ReportResolved = "report_resolved";
    public const string ReportWarning = "report_warning";
    public const string MessageReceived = "message_received";
    public const string EventRegistration = "event_registration";
    public const string EventCancellation = "event_cancellation";
    public const string EventCancelled = "event_cancelled";
    public const string WaitingListSeat = "waiting_list_seat";

    public static readonly IReadOnlyList<string> All =
    [
        ConnectionRequested,
        ConnectionAccepted,
        GroupJoinRequested,
        GroupJoinDecided,
        GroupInvited,
        RegistrationConfirmed,
        PaymentSucceeded,
        PaymentRefundFailed,
        CourseEnrolled,
        ReportResolved,
        ReportWarning,
        MessageReceived,
        EventRegistration,
        EventCancellation,
        EventCancelled,
        WaitingListSeat,
    ];

    /// <summary>The contract's word on kinds: each with its subject type and what its data holds.</summary>
    public const string Described =
        "What happened. More kinds may come: a client shows the summary for a kind it does not know. Now, each with "
        + "its subject_type and the members of its data: connection_requested and connection_accepted (connection; "
        + "connection_id); group_join_requested, to the group's owner and moderators (group; group_id, reason); "
        + "group_join_decided (group; group_id, approved); group_invited, to the person a member invited to join "
        + "(group; group_id); registration_confirmed (event; event_id, registration_id, "
        + "ticket_code); event_registration and event_cancellation, to the event's organizer (event; event_id, "
        + "registration_id, and previous_status for a cancellation); event_cancelled, to those with a ticket when the "
        + "event itself is called off (event; event_id, reason), the reason null to someone in a block with its "
        + "organizer; waiting_list_seat, to the next on a paid event's "
        + "waiting list when a seat comes free and is held for them to pay (event; event_id, registration_id, "
        + "amount_cents, currency, expires_at); payment_succeeded (payment; payment_id, purpose, "
        + "reference_id, amount_cents, currency); payment_refund_failed (payment; payment_id, refund_id, amount_cents, "
        + "currency, contact_support); course_enrolled (course; course_id, enrollment_id); report_resolved, to the "
        + "reporter (report; report_id, target_type, target_id, category, action); report_warning, to the person a "
        + "report resolved with warn is about: the user, the message's author, the group's owner or the event's "
        + "organizer (report; report_id, target_type, target_id, category, note); "
        + "message_received (conversation; conversation_id, conversation_kind, message_id, and the thread's group_id "
        + "or the event chat's event_id, null otherwise).";
}

/// <summary>What a notification is about: its subject_type, with subject_id the id of that thing.</summary>
public static class SubjectTypes
{
    public const string Connection = "connection";
    public const string Group = "group";
    public const string Event = "event";
    public const string Payment = "payment";
    public const string Course = "course";
    public const string Report = "report";
    public const string Conversation = "conversation";

    public static readonly IReadOnlyList<string> All =
    [
        Connection,
        Group,
        Event,
        Payment,
        Course,
        Report,
        Conversation,
    ];
}

/// <summary>A notification to record for <paramref name="UserId"/>; <paramref name="Data"/> is serialized as its small
/// json.</summary>
public sealed record NewNotification(
    Guid UserId,
    string Kind,
    Guid? ActorId,
    string SubjectType,
    Guid SubjectId,
    object Data
)
{
    /// <summary>Repeats of one kind on one subject fold into one list item.</summary>
    public string GroupKey => $"{Kind}:{SubjectId:N}";
}

/// <summary>A notification just recorded, and whose it is.</summary>
public sealed record CreatedNotification(Guid UserId, NotificationItem Item);

/// <summary>Writes notifications; the caller's transaction (an inbox consumer's) commits them. A message's are written
/// by its send's statement (<see cref="Conversations.MessageInsert"/>), with the message.</summary>
public static class NotificationStore
{
    private static readonly JsonSerializerOptions DataJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>The notification's data as stored (its small json).</summary>
    public static string DataOf(NewNotification notification) => JsonSerializer.Serialize(notification.Data, DataJson);

    /// <summary>Stored data (<see cref="DataOf"/>) as the list item carries it.</summary>
    public static JsonElement Element(string data)
    {
        using var document = JsonDocument.Parse(data);
        return document.RootElement.Clone();
    }

    /// <summary>A notification just stored as <paramref name="id"/>, as its list item (alone in it), with its
    /// actor's name and picture (null when unknown or deleted) and its data (<see cref="Element"/>).</summary>
    public static CreatedNotification Created(
        NewNotification n,
        Guid id,
        string? actorName,
        string? actorPicture,
        JsonElement data,
        DateTimeOffset now
    ) =>
        new(
            n.UserId,
            NotificationQueries.Item(
                id,
                [id],
                n.Kind,
                n.SubjectType,
                n.SubjectId,
                n.ActorId is { } actorId ? new NotificationActor(actorId, actorName, actorPicture) : null,
                n.ActorId is null ? 0 : 1,
                1,
                data,
                now,
                null
            )
        );

    /// <summary>
    /// A message deleted (its author's or a moderator's removal): its unread "sent you a message" goes from everyone
    /// told, so the bell, the unread count and the digest stop naming its sender. Found by the partial index of
    /// unread notifications: each member's, at the message's own time (its send wrote both).
    /// </summary>
    public static Task ForgetMessageAsync(
        MessagingDbContext db,
        Conversation conversation,
        Message message,
        CancellationToken cancellationToken
    ) =>
        db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM notifications n
            WHERE n.read_at IS NULL AND n.kind = {NotificationKinds.MessageReceived}
              AND n.created_at = {message.CreatedAt}
              AND n.user_id IN (
                  SELECT user_id FROM conversation_members WHERE conversation_id = {conversation.Id}
                  UNION SELECT user_id FROM group_members WHERE group_id = {conversation.GroupId}
                  UNION SELECT unnest(ARRAY[{conversation.DirectLow}, {conversation.DirectHigh}]::uuid[]))
              AND n.subject_id = {conversation.Id} AND n.data ->> 'message_id' = {message.Id.ToString()}
            """,
            cancellationToken
        );

    /// <summary>
    /// <paramref name="userId"/> gone from a group (its threads: <paramref name="groupId"/>) or from one conversation
    /// (<paramref name="conversationId"/>): their unread "sent you messages" from there go. They lead to what the
    /// person can no longer open (nor clear by reading), and the digest would mail them.
    /// </summary>
    public static Task ForgetUnreadMessagesAsync(
        MessagingDbContext db,
        Guid userId,
        Guid? conversationId,
        Guid? groupId,
        CancellationToken cancellationToken
    ) =>
        db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM notifications
            WHERE user_id = {userId} AND kind = {NotificationKinds.MessageReceived} AND read_at IS NULL
              AND (subject_id = {conversationId} OR data ->> 'group_id' = {groupId?.ToString()})
            """,
            cancellationToken
        );

    /// <summary>
    /// A group's thread (<paramref name="threadId"/>), or the whole group when null, gone: every member's unread "sent
    /// you messages" from there go, as <see cref="ForgetUnreadMessagesAsync"/> does for one person. Read by the
    /// members' index: those who left had theirs taken when they left.
    /// </summary>
    public static Task ForgetUnreadMessagesOfMembersAsync(
        MessagingDbContext db,
        Guid groupId,
        Guid? threadId,
        CancellationToken cancellationToken
    ) =>
        db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM notifications
            WHERE user_id IN (SELECT user_id FROM group_members WHERE group_id = {groupId})
              AND kind = {NotificationKinds.MessageReceived} AND read_at IS NULL
              AND (subject_id = {threadId} OR data ->> 'group_id' = {(threadId is null ? groupId.ToString() : null)})
            """,
            cancellationToken
        );

    /// <summary>Inserts the notifications in one statement (ids time-ordered from <paramref name="clock"/>) and returns
    /// them as list items of one.</summary>
    public static async Task<IReadOnlyList<CreatedNotification>> AddAsync(
        MessagingDbContext db,
        TimeProvider clock,
        IReadOnlyList<NewNotification> notifications,
        CancellationToken cancellationToken
    )
    {
        if (notifications.Count == 0)
            return [];
        var now = clock.GetUtcNow();
        var created = new List<CreatedNotification>(notifications.Count);
        var known = await NotificationQueries.ActorsAsync(
            db,
            notifications.Where(n => n.ActorId is not null).Select(n => n.ActorId!.Value),
            cancellationToken
        );
        var ids = new Guid[notifications.Count];
        var data = new string[notifications.Count];
        for (var i = 0; i < notifications.Count; i++)
        {
            var n = notifications[i];
            var id = ids[i] = NewId.Next(now);
            data[i] = DataOf(n);
            var actor = n.ActorId is { } actorId ? known.GetValueOrDefault(actorId) : null;
            created.Add(Created(n, id, actor?.Name, actor?.ProfileImageUrl, Element(data[i]), now));
        }
        // One statement for all (a message to a conversation notifies every member away from it).
        var users = notifications.Select(n => n.UserId).ToArray();
        var kinds = notifications.Select(n => n.Kind).ToArray();
        var actors = notifications.Select(n => n.ActorId).ToArray();
        var subjectTypes = notifications.Select(n => n.SubjectType).ToArray();
        var subjectIds = notifications.Select(n => n.SubjectId).ToArray();
        var groupKeys = notifications.Select(n => n.GroupKey).ToArray();
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO notifications
                (id, user_id, kind, actor_id, subject_type, subject_id, group_key, data, created_at)
            SELECT n.id, n.user_id, n.kind, n.actor_id, n.subject_type, n.subject_id, n.group_key, n.data::jsonb, {now}
            FROM unnest({ids}, {users}, {kinds}, {actors}, {subjectTypes}, {subjectIds}, {groupKeys}, {data})
                AS n(id, user_id, kind, actor_id, subject_type, subject_id, group_key, data)
            ORDER BY n.id
            """,
            cancellationToken
        );
        return created;
    }
}
