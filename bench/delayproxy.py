# delayproxy.py LISTEN_PORT TARGET_PORT DELAY_MS [MBIT]: a TCP proxy on 127.0.0.1 that delays every chunk
# by DELAY_MS in each direction (so the round trip grows by 2*DELAY_MS) and optionally caps the rate.
import asyncio, sys, time
lp, tp, delay = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]) / 1000
rate = float(sys.argv[4]) * 1e6 / 8 if len(sys.argv) > 4 else 0
async def pump(r, w):
    q = asyncio.Queue()
    async def reader():
        while True:
            d = await r.read(65536)
            await q.put((time.monotonic() + delay, d))
            if not d: return
    async def writer():
        nxt = 0.0
        while True:
            t, d = await q.get()
            now = time.monotonic()
            if t > now: await asyncio.sleep(t - now)
            if not d:
                w.close(); return
            if rate:
                nxt = max(nxt, time.monotonic()) + len(d) / rate
                await asyncio.sleep(max(0, nxt - time.monotonic()))
            w.write(d); await w.drain()
    await asyncio.gather(reader(), writer(), return_exceptions=True)
async def handle(cr, cw):
    sr, sw = await asyncio.open_connection("127.0.0.1", tp)
    await asyncio.gather(pump(cr, sw), pump(sr, cw), return_exceptions=True)
async def main():
    s = await asyncio.start_server(handle, "127.0.0.1", lp)
    async with s: await s.serve_forever()
asyncio.run(main())
