// The SPA build. The hub serves `dist/` in production; in development Vite serves the SPA and
// forwards the stream and the API to a hub started with `npx pulse start` (port 7400).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

const hub = process.env.PULSE_HUB ?? 'http://127.0.0.1:7400';

export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: {
    outDir: 'dist',
    // The initial bundle must stay ≤ 250 KB gzip (issue 4); routes and recharts load lazily.
    chunkSizeWarningLimit: 600,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': { target: hub },
      '/live': {
        target: hub,
        ws: true,
        // The hub accepts browser sockets only from its own Origin (cross-site WebSocket
        // hijacking); the dev server is a different origin, so present the hub's own.
        configure: (proxy) => {
          proxy.on('proxyReqWs', (proxyReq) => proxyReq.setHeader('origin', hub));
        },
      },
    },
  },
});
