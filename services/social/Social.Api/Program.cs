using Community.ServiceDefaults;
using Community.Social;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddSocialServices();

var app = builder.Build();
app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapSocialApi();
app.Run();

public partial class Program;
