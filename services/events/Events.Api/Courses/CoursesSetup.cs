using Community.Events.Courses;

// The service's root namespace, so EventsServiceExtensions wires courses up without another using.
namespace Community.Events;

public static class CoursesSetup
{
    public static IHostApplicationBuilder AddCourses(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<CourseEnrollments>();
        builder.Services.AddScoped<CoursePaymentRules>();
        return builder;
    }
}
