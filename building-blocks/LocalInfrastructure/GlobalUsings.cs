global using Community.LocalInfrastructure.Internal;
