// Nest's decorators need the reflect-metadata polyfill before any decorated class is evaluated.
import 'reflect-metadata';
