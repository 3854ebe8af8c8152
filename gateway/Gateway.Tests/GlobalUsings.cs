global using System.Net;
global using System.Net.Http.Json;
global using Community.Gateway.Tests.Infrastructure;
global using Community.Testing;
global using Xunit;
