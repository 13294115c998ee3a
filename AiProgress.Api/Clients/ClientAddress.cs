using System.Net;
using System.Net.Sockets;

namespace AiProgress.Api.Clients;

/// <summary>The source address limits count per: the peer after trusted proxies, IPv6 by its /64 (one host's share).</summary>
public static class ClientAddress
{
    public static string Of(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }

        return address.ToString();
    }
}
