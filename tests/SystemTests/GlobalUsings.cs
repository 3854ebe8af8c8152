global using System.Net;
global using System.Net.Http.Json;
global using System.Text.Json.Nodes;
global using Community.Contracts;
global using Community.Testing;
global using Xunit;
