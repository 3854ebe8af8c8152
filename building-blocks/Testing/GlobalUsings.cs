global using System.Text;
global using Microsoft.Extensions.DependencyInjection;
