namespace CodeRed.Rules.Syslog;

/// <summary>One result of framing: a frame's bytes, or the error that took its place.</summary>
/// <param name="Frame">The frame (a copy), or null with <paramref name="Error"/>.</param>
/// <param name="Error">Why there is no frame.</param>
/// <param name="Length">The bytes the frame or error stood for (for a too long frame, what was skipped so far).</param>
public readonly record struct SyslogFrame(byte[]? Frame, SyslogError? Error, long Length);

/// <summary>
/// Splits a TCP byte stream into syslog frames: RFC 6587 octet counting (<c>LEN SP MSG</c>) when a frame begins with a
/// digit, otherwise non-transparent framing ending at LF. Never holds more than <see cref="MaxMessageLength"/> bytes.
/// </summary>
/// <remarks>
/// The method is told apart at each frame, so a sender that mixes them (as RFC 6587 allows a relay to) is read
/// correctly. An LF-framed line longer than the maximum is counted once and skipped to its LF (the stream stays in
/// step); an octet count above the maximum cannot be skipped safely (2^40 bytes would be waited for), so it is
/// counted and the connection is to be closed, as is a count that is not a number.
/// </remarks>
public sealed class SyslogFrameDecoder
{
    private enum State { FrameStart, OctetCount, OctetBody, LineBody, Discard, Closed }

    private byte[] _buffer;
    private int _filled;
    private State _state;
    private long _count;
    private int _countDigits;
    private long _discarded;

    /// <summary>A decoder for one connection.</summary>
    /// <param name="maxMessageLength">The longest frame kept, in bytes (at least 480, as RFC 5424 requires).</param>
    public SyslogFrameDecoder(int maxMessageLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageLength, 480);
        MaxMessageLength = maxMessageLength;
        _buffer = new byte[Math.Min(maxMessageLength, 4096)];
    }

    /// <summary>The longest frame kept, in bytes.</summary>
    public int MaxMessageLength { get; }

    /// <summary>The bytes held for the frame being read (never more than <see cref="MaxMessageLength"/>).</summary>
    internal int BufferLength => _buffer.Length;

    /// <summary>True once an error made the stream unreadable: the connection should be closed.</summary>
    public bool IsClosed => _state == State.Closed;

    /// <summary>Adds bytes read from the connection; appends each completed frame (or error) to <paramref name="output"/>.</summary>
    /// <returns>False when the connection must be closed (the error was appended).</returns>
    public bool Feed(ReadOnlySpan<byte> data, List<SyslogFrame> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var i = 0;
        while (i < data.Length)
        {
            switch (_state)
            {
                case State.Closed:
                    return false;
                case State.FrameStart:
                {
                    var b = data[i];
                    if (b is (byte)'\n' or (byte)'\r' or 0 or (byte)' ')
                    {
                        i++; // stray separators between frames
                    }
                    else if (b is >= (byte)'1' and <= (byte)'9')
                    {
                        _state = State.OctetCount;
                        _count = 0;
                        _countDigits = 0;
                    }
                    else
                    {
                        _state = State.LineBody;
                        _filled = 0;
                    }

                    break;
                }

                case State.OctetCount:
                {
                    var b = data[i++];
                    if (b is >= (byte)'0' and <= (byte)'9')
                    {
                        _count = (_count * 10) + (b - '0');
                        if (++_countDigits > 12)
                        {
                            return Close(SyslogError.OctetCountTooLarge, output);
                        }
                    }
                    else if (b == ' ')
                    {
                        if (_count > MaxMessageLength)
                        {
                            return Close(SyslogError.OctetCountTooLarge, output);
                        }

                        _filled = 0;
                        _state = State.OctetBody;
                        Ensure((int)_count);
                    }
                    else
                    {
                        return Close(SyslogError.InvalidOctetCount, output);
                    }

                    break;
                }

                case State.OctetBody:
                {
                    var take = (int)Math.Min(_count - _filled, data.Length - i);
                    data.Slice(i, take).CopyTo(_buffer.AsSpan(_filled));
                    _filled += take;
                    i += take;
                    if (_filled == _count)
                    {
                        output.Add(new SyslogFrame(_buffer.AsSpan(0, _filled).ToArray(), null, _filled));
                        _state = State.FrameStart;
                    }

                    break;
                }

                case State.LineBody:
                {
                    var rest = data[i..];
                    var lf = rest.IndexOf((byte)'\n');
                    var take = lf < 0 ? rest.Length : lf;
                    if (_filled + take > MaxMessageLength)
                    {
                        _discarded = _filled;
                        _filled = 0;
                        _state = State.Discard;
                        break; // the same bytes are skipped by Discard
                    }

                    Ensure(_filled + take);
                    rest[..take].CopyTo(_buffer.AsSpan(_filled));
                    _filled += take;
                    i += take;
                    if (lf >= 0)
                    {
                        i++;
                        output.Add(new SyslogFrame(_buffer.AsSpan(0, _filled).ToArray(), null, _filled + 1));
                        _state = State.FrameStart;
                    }

                    break;
                }

                case State.Discard:
                {
                    var rest = data[i..];
                    var lf = rest.IndexOf((byte)'\n');
                    var take = lf < 0 ? rest.Length : lf + 1;
                    _discarded += take;
                    i += take;
                    if (lf >= 0)
                    {
                        output.Add(new SyslogFrame(null, SyslogError.FrameTooLong, _discarded));
                        _state = State.FrameStart;
                    }

                    break;
                }
            }
        }

        return _state != State.Closed;
    }

    /// <summary>The connection ended: a last LF-less line is a frame (as rsyslog takes it); an unfinished octet-counted frame is <see cref="SyslogError.Truncated"/>.</summary>
    public void Complete(List<SyslogFrame> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        switch (_state)
        {
            case State.LineBody when _filled > 0:
                output.Add(new SyslogFrame(_buffer.AsSpan(0, _filled).ToArray(), null, _filled));
                break;
            case State.OctetCount or State.OctetBody:
                output.Add(new SyslogFrame(null, SyslogError.Truncated, _filled));
                break;
            case State.Discard:
                output.Add(new SyslogFrame(null, SyslogError.FrameTooLong, _discarded));
                break;
        }

        _state = State.Closed;
        _filled = 0;
    }

    private bool Close(SyslogError error, List<SyslogFrame> output)
    {
        output.Add(new SyslogFrame(null, error, _countDigits));
        _state = State.Closed;
        return false;
    }

    /// <summary>Grows the buffer (doubling, at most to the maximum) to hold <paramref name="length"/> bytes.</summary>
    private void Ensure(int length)
    {
        if (length <= _buffer.Length)
        {
            return;
        }

        var size = _buffer.Length;
        while (size < length)
        {
            size = (int)Math.Min((long)size * 2, MaxMessageLength);
        }

        Array.Resize(ref _buffer, size);
    }
}
