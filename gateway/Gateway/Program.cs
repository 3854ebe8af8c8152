using Community.Gateway;
using Community.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGateway();

var app = builder.Build();
app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapGateway();
app.Run();

public partial class Program;
