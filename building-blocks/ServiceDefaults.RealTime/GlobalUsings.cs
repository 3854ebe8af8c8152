global using Microsoft.AspNetCore.SignalR;
global using Microsoft.Extensions.Options;
