global using System.Net;
global using System.Text.Json.Nodes;
global using Community.Payments.Providers;
global using Community.Testing;
global using MassTransit;
global using Microsoft.Extensions.DependencyInjection;
global using Xunit;
