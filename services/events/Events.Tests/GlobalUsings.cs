global using System.Net;
global using System.Text.Json.Nodes;
global using Community.Testing;
global using Microsoft.Extensions.DependencyInjection;
global using Xunit;
