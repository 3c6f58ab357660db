"""ChannelWaiter on a real paramiko Channel's buffers (no transport needed: the transport
thread only feeds them): a wake-up is never lost to a read of the other stream."""
from __future__ import annotations

import threading

import paramiko

from ducktape.cluster.channel_wait import ChannelWaiter


def test_stderr_arriving_while_stdout_is_read_still_wakes_the_waiter():
    # The one event serves both buffers and a read that empties stdout clears it. The pooled
    # shells end each command with a stdout marker then a stderr one: before the fix the mux's
    # relay lost the second and slept its full 5 s poll, every few commands.
    chan = paramiko.Channel(0)
    waiter = ChannelWaiter(chan)
    chan.in_buffer.feed(b"tokS0\n")
    waiter.arm()
    assert not chan.recv_stderr_ready()  # the relay looked at stderr first: nothing yet
    chan.in_stderr_buffer.feed(b"tokE\n")  # arrives now, from the transport thread
    assert chan.recv(100) == b"tokS0\n"  # emptying stdout clears the shared event
    assert waiter.wait(0) is True
    assert chan.recv_stderr(100) == b"tokE\n"


def test_a_quiet_channel_waits_until_output_arrives_or_the_timeout():
    chan = paramiko.Channel(0)
    waiter = ChannelWaiter(chan)
    waiter.arm()
    assert waiter.wait(0.05) is False
    waiter.arm()
    threading.Timer(0.05, chan.in_stderr_buffer.feed, args=(b"late",)).start()
    assert waiter.wait(30) is True and chan.recv_stderr(10) == b"late"


def test_eof_wakes_the_waiter():
    chan = paramiko.Channel(0)
    waiter = ChannelWaiter(chan)
    waiter.arm()
    chan.eof_received = True  # what the transport sets on SSH_MSG_CHANNEL_EOF, then closes the buffers
    chan.in_buffer.close()
    assert waiter.wait(0) is True
