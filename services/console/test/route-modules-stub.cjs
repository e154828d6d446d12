/* global module */
// react-router's loader of route modules (framework mode, unused by the console) reads
// import.meta, which CommonJS cannot express; the console's tests never call it.
module.exports = {
  loadRouteModule: async () => {
    throw new Error('route modules are not loaded in the console tests');
  },
};
