import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";

// During `npm run dev` / `npm run preview` the API runs elsewhere (by default
// `trimtab serve` on :8000); proxying keeps requests same-origin so the session
// cookie and CSRF header behave exactly as when the API serves the built files.
const apiTarget = process.env.TRIMTAB_API_URL ?? "http://127.0.0.1:8000";
const proxy = { "/api": { target: apiTarget } };

export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL("./src", import.meta.url)),
      // The dialogs' scroll lock would add its CSS in a <style> element, which the CSP
      // refuses: src/lib/styleSingleton.ts adopts a constructed stylesheet instead.
      "react-style-singleton": fileURLToPath(new URL("./src/lib/styleSingleton.ts", import.meta.url)),
    },
  },
  plugins: [react(), tailwindcss()],
  build: {
    outDir: "../src/trimtab/web_dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1000,
  },
  server: { proxy },
  preview: { proxy },
});
