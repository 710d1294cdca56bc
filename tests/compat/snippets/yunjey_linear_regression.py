# source: yunjey/pytorch-tutorial, tutorials/01-basics/linear_regression/main.py @ 0500d3d
# url: https://github.com/yunjey/pytorch-tutorial/blob/master/tutorials/01-basics/linear_regression/main.py
# license: MIT, Copyright (c) 2017 (yunjey/pytorch-tutorial's LICENSE)
# what: nn.Linear(1, 1) fitted to 15 points with MSELoss and SGD, from_numpy inputs,
#   then a prediction through detach().numpy() and a saved state_dict
# compare: numbers
# changes: imports in the marked block (matplotlib removed); the model's parameters pass
#   through harness.init_params; the plot replaced by printing the predictions
# --- imports (swapped by the runner) ---
import tinynet as torch
import tinynet.nn as nn
import numpy as np
# --- end imports ---
import harness


# Hyper-parameters
input_size = 1
output_size = 1
num_epochs = 60
learning_rate = 0.001

# Toy dataset
x_train = np.array([[3.3], [4.4], [5.5], [6.71], [6.93], [4.168], 
                    [9.779], [6.182], [7.59], [2.167], [7.042], 
                    [10.791], [5.313], [7.997], [3.1]], dtype=np.float32)

y_train = np.array([[1.7], [2.76], [2.09], [3.19], [1.694], [1.573], 
                    [3.366], [2.596], [2.53], [1.221], [2.827], 
                    [3.465], [1.65], [2.904], [1.3]], dtype=np.float32)

# Linear regression model
model = harness.init_params(nn.Linear(input_size, output_size))

# Loss and optimizer
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)  

# Train the model
for epoch in range(num_epochs):
    # Convert numpy arrays to torch tensors
    inputs = torch.from_numpy(x_train)
    targets = torch.from_numpy(y_train)

    # Forward pass
    outputs = model(inputs)
    loss = criterion(outputs, targets)
    
    # Backward and optimize
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    
    if (epoch+1) % 5 == 0:
        print ('Epoch [{}/{}], Loss: {:.4f}'.format(epoch+1, num_epochs, loss.item()))

# Plot the graph
predicted = model(torch.from_numpy(x_train)).detach().numpy()
print(predicted.ravel())

# Save the model checkpoint
torch.save(model.state_dict(), 'model.ckpt')
