console.log('distillery trainer');
