using Community.Contracts.Events;

namespace Community.Social.Tests;

/// <summary>
/// The feed's and the dashboard's consumers each have a queue, so a message that undoes news can be handled before
/// the one that made it: the late one brings nothing back, and news made after the undoing stays.
/// </summary>
public sealed class LateActivityTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task A_confirmation_handled_after_its_cancellation_adds_no_rsvp_and_a_new_registration_does()
    {
        var (goerId, _, _) = await fx.RegisteredAsync();
        var eventId = await PublishedAsync();
        var confirmed = Confirmed(goerId, eventId);
        var cancelled = Cancelled(confirmed);

        await fx.DeliverAsync(cancelled, "FeedRsvpCancelledConsumer");
        await fx.DeliverAsync(confirmed, "FeedRegistrationConfirmedConsumer");
        await fx.DeliverAsync(confirmed with { MessageId = Guid.NewGuid() }, "FeedRegistrationConfirmedConsumer");
        Assert.Equal(0L, await ShownRsvpsAsync(goerId, eventId));

        // Registering again is news.
        await fx.DeliverAsync(Confirmed(goerId, eventId), "FeedRegistrationConfirmedConsumer");
        Assert.Equal(1L, await ShownRsvpsAsync(goerId, eventId));
    }

    [Fact]
    public async Task A_photos_upload_handled_after_its_removal_adds_no_news_and_another_upload_does()
    {
        var (uploaderId, _, _) = await fx.RegisteredAsync();
        var eventId = await PublishedAsync();
        var added = new EventPhotoAdded(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), eventId, uploaderId);
        var removed = new EventPhotoRemoved(Guid.NewGuid(), fx.Tick(), added.PhotoId, eventId, uploaderId, 0);

        await fx.DeliverAsync(removed, "FeedEventPhotoRemovedConsumer");
        await fx.DeliverAsync(added, "FeedEventPhotoAddedConsumer");
        Assert.Equal(0L, await ShownPhotoNewsAsync(uploaderId, eventId));

        // Another photo is news.
        await fx.DeliverAsync(
            new EventPhotoAdded(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), eventId, uploaderId),
            "FeedEventPhotoAddedConsumer"
        );
        Assert.Equal(1L, await ShownPhotoNewsAsync(uploaderId, eventId));
    }

    [Fact]
    public async Task A_cancellation_handled_after_the_next_registrations_confirmation_leaves_its_rsvp()
    {
        var (goerId, _, _) = await fx.RegisteredAsync();
        var eventId = await PublishedAsync();
        var first = Confirmed(goerId, eventId);
        var cancelled = Cancelled(first);
        var second = Confirmed(goerId, eventId);

        await fx.DeliverAsync(first, "FeedRegistrationConfirmedConsumer");
        await fx.DeliverAsync(second, "FeedRegistrationConfirmedConsumer");
        await fx.DeliverAsync(cancelled, "FeedRsvpCancelledConsumer");
        await fx.DeliverAsync(cancelled with { MessageId = Guid.NewGuid() }, "FeedRsvpCancelledConsumer");

        Assert.Equal(1L, await ShownRsvpsAsync(goerId, eventId));
    }

    [Fact]
    public async Task An_enrollment_handled_after_its_end_is_no_course_in_progress()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        var enrolled = Enrolled(meId, Guid.NewGuid());
        var ended = Ended(enrolled);

        await fx.DeliverAsync(ended, "DashboardCourseEnrollmentEndedConsumer");
        await fx.DeliverAsync(enrolled, "DashboardCourseEnrolledConsumer");
        await fx.DeliverAsync(enrolled with { MessageId = Guid.NewGuid() }, "DashboardCourseEnrolledConsumer");

        Assert.Equal(0, await CoursesInProgressAsync(me));
    }

    [Fact]
    public async Task A_new_enrollment_takes_the_place_of_an_ended_one_whose_end_is_handled_after_it()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        var first = Enrolled(meId, Guid.NewGuid());
        var ended = Ended(first);
        var again = Enrolled(meId, first.CourseId);

        await fx.DeliverAsync(first, "DashboardCourseEnrolledConsumer");
        await fx.DeliverAsync(again, "DashboardCourseEnrolledConsumer");
        Assert.Equal(1, await CoursesInProgressAsync(me));
        await fx.DeliverAsync(ended, "DashboardCourseEnrollmentEndedConsumer");
        await fx.DeliverAsync(ended with { MessageId = Guid.NewGuid() }, "DashboardCourseEnrollmentEndedConsumer");
        // The first enrollment's message delivered again late changes nothing either.
        await fx.DeliverAsync(first with { MessageId = Guid.NewGuid() }, "DashboardCourseEnrolledConsumer");

        Assert.Equal(1, await CoursesInProgressAsync(me));
        Assert.Equal(
            again.EnrollmentId,
            await fx.ScalarAsync<Guid>(
                "SELECT enrollment_id FROM course_enrollments WHERE user_id = @u AND course_id = @c",
                ("u", meId),
                ("c", first.CourseId)
            )
        );
    }

    /// <summary>A new registration's confirmation, a millisecond after the last message.</summary>
    private RegistrationConfirmed Confirmed(Guid userId, Guid eventId) =>
        new(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), eventId, userId, "T-" + userId.ToString("N")[..6], null);

    /// <summary><paramref name="confirmed"/>'s registration cancelled, a millisecond after the last message.</summary>
    private RsvpCancelled Cancelled(RegistrationConfirmed confirmed) =>
        new(
            Guid.NewGuid(),
            fx.Tick(),
            confirmed.RegistrationId,
            confirmed.EventId,
            confirmed.UserId,
            "confirmed",
            0,
            null,
            null
        );

    /// <summary>A new paid enrollment in <paramref name="courseId"/>, a millisecond after the last message.</summary>
    private CourseEnrolled Enrolled(Guid userId, Guid courseId) =>
        new(Guid.NewGuid(), fx.Tick(), courseId, Guid.NewGuid(), userId, 1500, "AED", null);

    /// <summary><paramref name="enrolled"/>'s payment refunded in full, a millisecond after the last message.</summary>
    private CourseEnrollmentEnded Ended(CourseEnrolled enrolled) =>
        new(Guid.NewGuid(), fx.Tick(), enrolled.CourseId, enrolled.EnrollmentId, enrolled.UserId, "refunded");

    /// <summary>A public event the feed knows published, so its RSVPs show.</summary>
    private async Task<Guid> PublishedAsync()
    {
        var (organizerId, _, _) = await fx.RegisteredAsync();
        var now = fx.Tick();
        var published = new EventPublished(
            Guid.NewGuid(),
            now,
            Guid.NewGuid(),
            organizerId,
            "Beach cleanup",
            now.AddDays(3),
            now.AddDays(3).AddHours(2),
            0,
            ""
        )
        {
            Visibility = EventVisibility.Public,
        };
        await fx.DeliverAsync(published, "FeedEventPublishedConsumer");
        return published.EventId;
    }

    private Task<long> ShownRsvpsAsync(Guid userId, Guid eventId) =>
        fx.ScalarAsync<long>(
            """
            SELECT count(*) FROM activities WHERE kind = 'event_rsvp' AND actor_id = @u AND subject_id = @e AND visible
            """,
            ("u", userId),
            ("e", eventId)
        );

    private Task<long> ShownPhotoNewsAsync(Guid userId, Guid eventId) =>
        fx.ScalarAsync<long>(
            """
            SELECT count(*) FROM activities WHERE kind = 'photo_added' AND actor_id = @u AND subject_id = @e AND visible
            """,
            ("u", userId),
            ("e", eventId)
        );

    private async Task<int> CoursesInProgressAsync(string token) =>
        (await (await fx.Client.Get("/api/v1/dashboard", token)).AssertStatus(200))["counts"]![
            "courses_in_progress"
        ]!.GetValue<int>();
}
