global using System.Net;
global using Community.AppHost.Telemetry;
global using Xunit;
