// jsdom lacks TextEncoder/TextDecoder, which react-router uses; Node's are the standard ones.
import { TextDecoder, TextEncoder } from 'node:util';

Object.assign(globalThis, { TextEncoder, TextDecoder });
