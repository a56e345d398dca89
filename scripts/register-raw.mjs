// Lets `npm run quire`, `router:replay` and `bench` (run with tsx) import `file?raw` the way Vite does.
import { register } from 'node:module';

register('./raw-loader.mjs', import.meta.url);
