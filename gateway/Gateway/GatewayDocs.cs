namespace Community.Gateway;

/// <summary>One Swagger UI at /swagger over the OpenAPI documents of every service with an address.</summary>
public static class GatewayDocs
{
    public const string RoutePrefix = "swagger";

    public static IEndpointConventionBuilder MapGatewayDocs(this WebApplication app) =>
        app.MapSwaggerUI(
                RoutePrefix,
                ui =>
                {
                    ui.DocumentTitle = "Community API";
                    // no service configured means an empty list, not Swashbuckle's default document
                    ui.ConfigObject.Urls = [];
                    foreach (var service in GatewayProxyConfig.ConfiguredServices(app.Configuration))
                        ui.SwaggerEndpoint(GatewayRoutes.OpenApiPath(service), service);
                }
            )
            .AllowAnonymous();
}
